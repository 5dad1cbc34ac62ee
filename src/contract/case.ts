/**
 * camelCase (TS, SDK) <-> snake_case (JSON, CLI `--json`, MCP) key conversion, in one place,
 * at runtime ({@link toCamel}, {@link toSnake}) and in types ({@link Camel}, {@link Snake}).
 */

export function snakeKey(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function camelKey(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Keys whose values are user data maps: their own keys are never renamed. */
const USER_MAPS = new Set(["labels", "env"]);
type UserMapKey = "labels" | "env";

/** `snake_case` as `camelCase`, like {@link camelKey}. */
export type CamelKey<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelKey<Tail>>}`
  : S;

/** `camelCase` as `snake_case`, like {@link snakeKey}. */
export type SnakeKey<S extends string> = S extends `${infer C}${infer Rest}`
  ? `${C extends Lowercase<C> ? C : `_${Lowercase<C>}`}${SnakeKey<Rest>}`
  : S;

/** `K` in the key case `C`, by {@link CamelKey} or {@link SnakeKey}. */
type CasedKey<K extends string, C extends "camel" | "snake"> = C extends "camel" ? CamelKey<K> : SnakeKey<K>;

/** `T` with every object key deep-renamed into the case `C` (user maps and Buffers kept as they are). */
type DeepCased<T, C extends "camel" | "snake"> = T extends readonly (infer U)[]
  ? DeepCased<U, C>[]
  : T extends Buffer
    ? T
    : T extends object
      ? {
          [K in keyof T as K extends string ? CasedKey<K, C> : K]: K extends UserMapKey
            ? T[K]
            : DeepCased<T[K], C>;
        }
      : T;

/** `T` with every object key deep-renamed by {@link CamelKey}, as {@link toCamel} does. */
export type Camel<T> = DeepCased<T, "camel">;

/** `T` with every object key deep-renamed by {@link SnakeKey}, as {@link toSnake} does. */
export type Snake<T> = DeepCased<T, "snake">;

function convert(value: unknown, key: (k: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => convert(v, key));
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [key(k), USER_MAPS.has(k) ? v : convert(v, key)]),
    );
  }
  return value;
}

/** Deep-converts object keys to snake_case (records leaving the SDK as JSON). */
export function toSnake<T>(value: T): Snake<T> {
  return convert(value, snakeKey) as Snake<T>;
}

/** Deep-converts object keys to camelCase (core's snake_case records entering the SDK). */
export function toCamel<T>(value: T): Camel<T> {
  return convert(value, camelKey) as Camel<T>;
}
