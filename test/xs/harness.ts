/**
 * A small, vitest-compatible test harness for the XS engine. The XS lane
 * bundles test files with `vitest` aliased to this module, so the same
 * test file runs under vitest on Node and under xsnap. It implements the
 * subset of the vitest API that portable tests (test/core) may use:
 * describe / it / test (with .skip and .each is not supported), beforeEach,
 * afterEach, beforeAll, afterAll, and expect with the matchers below.
 * Output goes through xsnap's global `print`.
 */
declare const print: (text: string) => void;

type Fn = () => unknown;
interface TestCase { name: string; fn: Fn; skip: boolean }
interface Suite {
  name: string;
  tests: TestCase[];
  suites: Suite[];
  beforeEach: Fn[];
  afterEach: Fn[];
  beforeAll: Fn[];
  afterAll: Fn[];
  parent?: Suite;
}

function newSuite(name: string, parent?: Suite): Suite {
  return { name, tests: [], suites: [], beforeEach: [], afterEach: [], beforeAll: [], afterAll: [], parent };
}

const root = newSuite('');
let current = root;

export function describe(name: string, body: () => void): void {
  const suite = newSuite(name, current);
  current.suites.push(suite);
  const saved = current;
  current = suite;
  try {
    body();
  } finally {
    current = saved;
  }
}
describe.skip = (name: string, _body: () => void): void => {
  current.tests.push({ name, fn: () => undefined, skip: true });
};

export function it(name: string, fn: Fn, _timeout?: number): void {
  current.tests.push({ name, fn, skip: false });
}
it.skip = (name: string, _fn?: Fn): void => {
  current.tests.push({ name, fn: () => undefined, skip: true });
};
export const test = it;

export function beforeEach(fn: Fn): void { current.beforeEach.push(fn); }
export function afterEach(fn: Fn): void { current.afterEach.push(fn); }
export function beforeAll(fn: Fn): void { current.beforeAll.push(fn); }
export function afterAll(fn: Fn): void { current.afterAll.push(fn); }

class AssertionError extends Error {
  /** Not `this.name = ...`: Moddable freezes Error.prototype (docs/moddable.md). */
  override get name(): string {
    return 'AssertionError';
  }

  constructor(message: string) {
    super(message);
  }
}

function show(value: unknown, depth = 0): string {
  if (value instanceof Uint8Array) {
    let hex = '';
    for (let i = 0; i < Math.min(value.length, 48); i++) hex += (value[i] < 16 ? '0' : '') + value[i].toString(16);
    return `Uint8Array(${value.length})[${hex}${value.length > 48 ? '…' : ''}]`;
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `[Function ${value.name}]`;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (Array.isArray(value)) return depth > 2 ? '[…]' : `[${value.map((v) => show(v, depth + 1)).join(', ')}]`;
  if (value && typeof value === 'object') {
    if (depth > 2) return '{…}';
    return `{${Object.keys(value).map((k) => `${k}: ${show((value as Record<string, unknown>)[k], depth + 1)}`).join(', ')}}`;
  }
  return String(value);
}

function deepEqual(a: unknown, b: unknown, strict: boolean): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor) return false;
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k), strict)) return false;
    return true;
  }
  if (a instanceof Set && b instanceof Set) {
    if (a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a as object).filter((k) => strict || (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => strict || (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], strict)) return false;
  }
  return true;
}

function matchesObject(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== 'object' || ArrayBuffer.isView(expected)) return deepEqual(actual, expected, false);
  if (actual === null || typeof actual !== 'object') return false;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return false;
    return expected.every((v, i) => matchesObject(actual[i], v));
  }
  for (const k of Object.keys(expected)) {
    if (!matchesObject((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k])) return false;
  }
  return true;
}

type ThrowExpectation = string | RegExp | (new (...args: never[]) => unknown) | Error | undefined;

function errorMatches(error: unknown, expected: ThrowExpectation): boolean {
  if (expected === undefined) return true;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof expected === 'string') return message.includes(expected);
  if (expected instanceof RegExp) return expected.test(message);
  if (expected instanceof Error) return message === expected.message;
  return error instanceof expected;
}

interface Matchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toStrictEqual(expected: unknown): void;
  toMatchObject(expected: unknown): void;
  toBeTruthy(): void;
  toBeFalsy(): void;
  toBeNull(): void;
  toBeUndefined(): void;
  toBeDefined(): void;
  toBeNaN(): void;
  toBeGreaterThan(n: number | bigint): void;
  toBeGreaterThanOrEqual(n: number | bigint): void;
  toBeLessThan(n: number | bigint): void;
  toBeLessThanOrEqual(n: number | bigint): void;
  toBeCloseTo(n: number, digits?: number): void;
  toContain(item: unknown): void;
  toHaveLength(n: number): void;
  toHaveProperty(key: string, value?: unknown): void;
  toMatch(pattern: RegExp | string): void;
  toBeInstanceOf(cls: new (...args: never[]) => unknown): void;
  toThrow(expected?: ThrowExpectation): void;
  toThrowError(expected?: ThrowExpectation): void;
}

function makeMatchers(actual: unknown, negate: boolean): Matchers {
  const check = (pass: boolean, description: string): void => {
    if (pass === negate) throw new AssertionError(`expected ${show(actual)} ${negate ? 'not ' : ''}${description}`);
  };
  const throws = (expected?: ThrowExpectation): void => {
    if (typeof actual !== 'function') throw new AssertionError('toThrow needs a function');
    let threw = false;
    let error: unknown;
    try {
      (actual as () => unknown)();
    } catch (e) {
      threw = true;
      error = e;
    }
    const pass = threw && errorMatches(error, expected);
    if (pass === negate) {
      throw new AssertionError(
        threw
          ? `expected ${negate ? 'no throw' : `a throw matching ${show(expected)}`}, got ${show(error)}`
          : `expected a throw${expected === undefined ? '' : ` matching ${show(expected)}`}, nothing thrown`,
      );
    }
  };
  return {
    toBe: (e) => check(Object.is(actual, e), `to be ${show(e)}`),
    toEqual: (e) => check(deepEqual(actual, e, false), `to equal ${show(e)}`),
    toStrictEqual: (e) => check(deepEqual(actual, e, true), `to strictly equal ${show(e)}`),
    toMatchObject: (e) => check(matchesObject(actual, e), `to match ${show(e)}`),
    toBeTruthy: () => check(!!actual, 'to be truthy'),
    toBeFalsy: () => check(!actual, 'to be falsy'),
    toBeNull: () => check(actual === null, 'to be null'),
    toBeUndefined: () => check(actual === undefined, 'to be undefined'),
    toBeDefined: () => check(actual !== undefined, 'to be defined'),
    toBeNaN: () => check(Number.isNaN(actual), 'to be NaN'),
    toBeGreaterThan: (n) => check((actual as number) > n, `to be > ${show(n)}`),
    toBeGreaterThanOrEqual: (n) => check((actual as number) >= n, `to be >= ${show(n)}`),
    toBeLessThan: (n) => check((actual as number) < n, `to be < ${show(n)}`),
    toBeLessThanOrEqual: (n) => check((actual as number) <= n, `to be <= ${show(n)}`),
    toBeCloseTo: (n, digits = 2) => check(Math.abs((actual as number) - n) < 10 ** -digits / 2, `to be close to ${n}`),
    toContain: (item) =>
      check(
        typeof actual === 'string' ? actual.includes(item as string) : Array.from(actual as Iterable<unknown>).includes(item),
        `to contain ${show(item)}`,
      ),
    toHaveLength: (n) => check((actual as { length: number }).length === n, `to have length ${n}`),
    toHaveProperty: (key, ...rest) =>
      check(
        actual != null &&
          key in (actual as object) &&
          (rest.length === 0 || deepEqual((actual as Record<string, unknown>)[key], rest[0], false)),
        `to have property ${key}`,
      ),
    toMatch: (p) => check(typeof p === 'string' ? String(actual).includes(p) : p.test(String(actual)), `to match ${show(p)}`),
    toBeInstanceOf: (cls) => check(actual instanceof cls, `to be an instance of ${cls.name}`),
    toThrow: throws,
    toThrowError: throws,
  };
}

type AsyncMatchers = { [K in keyof Matchers]: (...args: Parameters<Matchers[K]>) => Promise<void> };

function asyncMatchers(promise: unknown, settle: 'resolves' | 'rejects', negate: boolean): AsyncMatchers {
  const out = {} as Record<string, (...args: unknown[]) => Promise<void>>;
  for (const name of Object.keys(makeMatchers(undefined, false))) {
    out[name] = async (...args: unknown[]) => {
      let value: unknown;
      let rejected = false;
      try {
        value = await promise;
      } catch (e) {
        rejected = true;
        value = e;
      }
      if (rejected !== (settle === 'rejects')) {
        throw new AssertionError(`expected promise to ${settle === 'rejects' ? 'reject' : 'resolve'}, it ${rejected ? `rejected with ${show(value)}` : `resolved with ${show(value)}`}`);
      }
      if (settle === 'rejects' && (name === 'toThrow' || name === 'toThrowError')) {
        const m = makeMatchers(() => { throw value; }, negate) as unknown as Record<string, (...a: unknown[]) => void>;
        m[name](...args);
        return;
      }
      const m = makeMatchers(value, negate) as unknown as Record<string, (...a: unknown[]) => void>;
      m[name](...args);
    };
  }
  return out as unknown as AsyncMatchers;
}

export function expect(actual: unknown) {
  return Object.assign(makeMatchers(actual, false), {
    not: makeMatchers(actual, true),
    resolves: asyncMatchers(actual, 'resolves', false),
    rejects: asyncMatchers(actual, 'rejects', false),
  });
}

async function runHooks(hooks: Fn[]): Promise<void> {
  for (const hook of hooks) await hook();
}

function chain(suite: Suite | undefined, pick: (s: Suite) => Fn[], outerFirst: boolean): Fn[] {
  const lists: Fn[][] = [];
  for (let s = suite; s; s = s.parent) lists.push(pick(s));
  if (outerFirst) lists.reverse();
  return lists.flat();
}

interface Totals { passed: number; failed: number; skipped: number }

async function runSuite(suite: Suite, prefix: string, totals: Totals): Promise<void> {
  const path = suite.name ? `${prefix}${suite.name} > ` : prefix;
  try {
    await runHooks(suite.beforeAll);
  } catch (error) {
    totals.failed++;
    print(`  FAIL ${path}(beforeAll): ${show(error)}`);
    return;
  }
  for (const t of suite.tests) {
    if (t.skip) {
      totals.skipped++;
      continue;
    }
    try {
      await runHooks(chain(suite, (s) => s.beforeEach, true));
      await t.fn();
      await runHooks(chain(suite, (s) => s.afterEach, false));
      totals.passed++;
    } catch (error) {
      totals.failed++;
      const stack = error instanceof Error && error.stack ? `\n${error.stack}` : '';
      print(`  FAIL ${path}${t.name}: ${show(error)}${stack}`);
    }
  }
  for (const child of suite.suites) await runSuite(child, path, totals);
  try {
    await runHooks(suite.afterAll);
  } catch (error) {
    totals.failed++;
    print(`  FAIL ${path}(afterAll): ${show(error)}`);
  }
}

/** Runs every registered test and prints the file's summary line for the lane runner. */
export async function runRegisteredTests(file: string): Promise<void> {
  const totals: Totals = { passed: 0, failed: 0, skipped: 0 };
  try {
    await runSuite(root, '', totals);
  } catch (error) {
    totals.failed++;
    print(`  FAIL ${file}: ${show(error)}`);
  }
  print(`XS-FILE ${file}: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
}

export const vi = {
  fn<T extends (...args: never[]) => unknown>(impl?: T) {
    const calls: unknown[][] = [];
    const mock = (...args: unknown[]) => {
      calls.push(args);
      return impl ? (impl as unknown as (...a: unknown[]) => unknown)(...args) : undefined;
    };
    return Object.assign(mock, { mock: { calls } });
  },
};
