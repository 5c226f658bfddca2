import { inject, injectable, type InjectionToken } from 'tsyringe';

type Constructor<T> = new (...args: never[]) => T;

/**
 * Declares a core class for constructor injection: parameter `i` gets `tokens[i]`. These are tsyringe's
 * own `@injectable()` / `@inject()` decorators applied as the functions they are: Herald runs from its
 * TypeScript sources with Node's type stripping, which has no decorator syntax.
 */
export function injectableWith<T>(target: Constructor<T>, tokens: readonly InjectionToken<unknown>[]): void {
  tokens.forEach((token, index) => inject(token)(target, undefined, index));
  injectable()(target as never);
}
