/** Environment operation inputs (`env build`, `env push`); records in records/environment.ts. */
import { z } from "zod";
import { EnvironmentName } from "./common.js";

export const BuildEnvironmentInputSchema = z
  .object({
    name: z.string().min(1).describe("Name of the new local environment, e.g. node-dev (not a catalog name)"),
    from: EnvironmentName.default("debian:12").describe(
      'Catalog environment to extend. Default "debian:12".',
    ),
    packages: z.array(z.string().min(1)).default([]).describe("Extra Debian packages. Default none."),
    recipe: z
      .string()
      .min(1)
      .optional()
      .describe("Host path of a JSON or YAML recipe: packages, files, setup (docs/environments.md)"),
  })
  .strict();
export type BuildEnvironmentInput = z.input<typeof BuildEnvironmentInputSchema>;

export const PushEnvironmentInputSchema = z
  .object({
    name: EnvironmentName.describe("Installed environment to push (catalog or local)"),
    reference: z
      .string()
      .min(1)
      .describe("Registry reference with a tag, e.g. 127.0.0.1:5000/team/node-dev:1"),
  })
  .strict();
export type PushEnvironmentInput = z.input<typeof PushEnvironmentInputSchema>;
