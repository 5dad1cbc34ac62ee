/** A raw POST through node:http (unlike fetch it lets a test set Host), for status checks. */
import { type IncomingHttpHeaders, request } from "node:http";

/** POSTs `body` to `url` as JSON accepting JSON or SSE (what MCP clients send); status and headers. */
export function post(
  url: string,
  headers: Record<string, string>,
  body = "{}",
): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          ...headers,
        },
      },
      (res) => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers });
        res.destroy();
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
