import { expect, it } from 'vitest';
import { maskSecrets } from '@herald/plugin-sdk';
import { shownUrl, urlSecrets } from './url-secrets.ts';

it('masks every credential-looking part of a webhook URL and shows only its origin', () => {
  const url = 'https://chat.googleapis.com/v1/spaces/AAAAb1c2d3e/messages?key=AIzaSyDdI0hCZtE6vySjMm&token=abc-DEF_123%3D';
  const text = `posted to ${url}; path /v1/spaces/AAAAb1c2d3e/messages?key=AIzaSyDdI0hCZtE6vySjMm&token=abc-DEF_123%3D; token abc-DEF_123=`;
  const masked = maskSecrets(text, urlSecrets(url));
  for (const part of ['AIzaSyDdI0hCZtE6vySjMm', 'abc-DEF_123']) expect(masked).not.toContain(part);
  expect(shownUrl(url)).toBe('https://chat.googleapis.com');
  // Words of a path are not secrets: only long segments with digits in them are.
  expect(urlSecrets('https://x.example.com/powerautomate/automations/direct/workflows/0a1b2c3d4e5f60718293a4b5c6d7e8f9/triggers')).not.toContain('workflows');
});
