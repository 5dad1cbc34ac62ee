/** camelCase (TS) <-> snake_case (JSON, MCP) key conversion, in one place. */

export function snakeKey(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function camelKey(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Keys whose values are user data maps: their own keys are never renamed. */
const USER_MAPS = new Set(["labels", "env"]);

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
export function toSnake<T>(value: T): unknown {
  return convert(value, snakeKey);
}

/** Deep-converts object keys to camelCase (JSON arriving at the SDK). */
export function toCamel<T>(value: T): unknown {
  return convert(value, camelKey);
}
