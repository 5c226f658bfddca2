import { describe, expect, it } from 'vitest';
import { render } from '../template/__fixtures__/render-fixture.ts';
import { hostRepo } from './repo-functions.ts';

// Argo CD's repo.* functions, with what they return in Argo CD (chainguard-dev/git-urls over Go's net/url).
describe('repo functions (Argo CD)', () => {
  it.each([
    ['git@github.com:argoproj/argocd-example-apps.git', 'https://github.com/argoproj/argocd-example-apps.git', 'argoproj/argocd-example-apps'],
    ['https://github.com/argoproj/argocd-example-apps.git', 'https://github.com/argoproj/argocd-example-apps.git', 'argoproj/argocd-example-apps'],
    ['https://github.com/argoproj/argocd-example-apps', 'https://github.com/argoproj/argocd-example-apps', 'argoproj/argocd-example-apps'],
    ['ssh://git@gitlab.example.com:2222/group/sub/app.git', 'https://gitlab.example.com:2222/group/sub/app.git', 'group/sub'],
    ['https://user:token@git.example.com/team/app?ref=main', 'https://git.example.com/team/app?ref=main', 'team/app'],
    ['local-repo', 'https://local-repo', 'local-repo'],
  ])('%s', (url, https, fullName) => {
    expect(hostRepo.RepoURLToHTTPS(url)).toBe(https);
    expect(hostRepo.FullNameByRepoURL(url)).toBe(fullName);
  });

  it('QueryEscape is Go\'s url.QueryEscape', () => {
    expect(hostRepo.QueryEscape('a b&c=d/é~')).toBe('a+b%26c%3Dd%2F%C3%A9~');
  });

  it('GetCommitMetadata and GetAppDetails fail naming the function: they need Argo CD\'s repo server', () => {
    expect(() => hostRepo.GetCommitMetadata('abc')).toThrow(/^repo\.GetCommitMetadata reads the Git repository through Argo CD's repo server/);
    expect(() => hostRepo.GetAppDetails()).toThrow(/^repo\.GetAppDetails reads the Git repository through Argo CD's repo server/);
  });

  it('GetCommitMetadata of no revision fails on its argument first, as Go\'s call checks it (a just-created Application)', () => {
    const app = { status: { sync: { status: 'Unknown' } } };
    expect(() => render('{{(call .repo.GetCommitMetadata .app.status.sync.revision).Message}}', { app, repo: hostRepo })).toThrow(
      /executing at <call \.repo\.GetCommitMetadata \.app\.status\.sync\.revision>: error calling call: repo\.GetCommitMetadata: argument must be a string, got nil$/,
    );
  });
});
