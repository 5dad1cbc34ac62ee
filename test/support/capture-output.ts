/** Captures what the code under test writes to stdout and stderr (restore with vi.restoreAllMocks). */
import { vi } from "vitest";

export function captureOutput(): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((c) => out.push(String(c)) > 0);
  vi.spyOn(process.stderr, "write").mockImplementation((c) => err.push(String(c)) > 0);
  return { out, err };
}
