import { describe, expect, it } from 'vitest';
import { render } from './__fixtures__/render-fixture.ts';

/** Every expected password below is what Argo's engine (sprig v3.3, through test/argo-oracle) derived. */
describe('derivePassword (Master Password v3)', () => {
  it.each([
    ['{{ derivePassword 1 "long" "password" "user" "example.com" }}', 'ZedaFaxcZaso9*'],
    ['{{ derivePassword 0 "maximum" "pw" "bob" "site" }}', 'w6H6TjB1HENRs5vY5s3.'],
    ['{{ derivePassword 2 "medium" "pw" "bob" "site" }}', 'ZerWic8:'],
    ['{{ derivePassword 3 "short" "pw" "bob" "site" }}', 'Tob8'],
    ['{{ derivePassword 4 "basic" "pw" "bob" "site" }}', 'Sb78VcQ0'],
    ['{{ derivePassword 5 "pin" "pw" "bob" "site" }}', '8013'],
    ['{{ derivePassword 4294967295 "maximum" "pw" "bob" "例.jp" }}', 'Mh1Hkb1Ttwvn@PP#lm5,'],
    ['{{ derivePassword 4294967295 "maximum" "pässwörd" "ユーザー" "例.jp" }}', 's7OA%IUjj5UD1D*E8P3.'],
    ['{{ derivePassword 1 "name" "a" "b" "c" }}', 'cannot find password template name'],
    ['{{ derivePassword 9 "maximum" .n "b" "c" }}{{ derivePassword 10 "maximum" .n "b" "c" }}', 'C7@M(eXEA%*omLmT&!Itp%cg8SKdSK3NiWz0#H8;'],
  ])('%s', (source, expected) => {
    expect(render(source, { n: 'guestbook' })).toBe(expected);
  });

  it('refuses a negative counter as Go refuses it for a uint32', () => {
    expect(() => render('{{ derivePassword -1 "long" "a" "b" "c" }}')).toThrow(/expected unsigned integer; found -1/);
  });

  it('costs half the render budget a key: a loop deriving a key per item stops at the second', () => {
    expect(() => render('{{ range until 10 }}{{ derivePassword 1 "pin" (print .) "user" "site" }}{{ end }}')).toThrow(/render stopped after 1000000 steps/);
  });
});
