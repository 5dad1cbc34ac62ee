/** The SDK's key conversion (src/contract/case.ts), re-exported for the faces that print JSON. */
export { type Camel, camelKey, type Snake, snakeKey, toCamel, toSnake } from "../contract/case.js";
