/**
 * Authorized GET requests to the Bakaláři API v3: the bearer token of the session,
 * and after a 401 exactly one retry with a fresh token.
 */
import type { Session } from "./auth";
import type { HttpClient } from "./http";
import { BakalariError } from "./roster";

export type Api = {
  /**
   * The body of a 2xx answer to GET path (path may carry a query); throws BakalariError
   * otherwise, and BAKALARI_PAYLOAD for an answer over `maxBytes` (MAX_ANSWER_BYTES by default).
   */
  get(path: string, options?: { maxBytes?: number }): Promise<string>;
};

export function createApi(http: HttpClient, session: Session): Api {
  async function send(path: string, token: string, maxBytes: number | undefined) {
    return http.send({ method: "GET", path, headers: { Authorization: `Bearer ${token}`, Accept: "application/json" }, maxBytes });
  }

  return {
    async get(path, options = {}) {
      const route = path.replace(/\?.*$/, "");
      const endpoint = `GET ${route}`;
      let token = await session.accessToken();
      let res = await send(path, token, options.maxBytes);
      if (res.status === 401) {
        session.refused(token);
        token = await session.accessToken();
        res = await send(path, token, options.maxBytes);
        if (res.status === 401) {
          throw new BakalariError("BAKALARI_AUTH", `${endpoint} refused a freshly issued access token (HTTP 401)`, route, {
            refusedResource: true,
          });
        }
      }
      if (res.status === 403) {
        throw new BakalariError("BAKALARI_AUTH", `${endpoint} is not allowed for the service account (HTTP 403)`, route, {
          refusedResource: true,
        });
      }
      if (res.status < 200 || res.status >= 300) {
        throw new BakalariError("BAKALARI_UNAVAILABLE", `${endpoint} answered HTTP ${res.status}`, route);
      }
      return res.body;
    },
  };
}
