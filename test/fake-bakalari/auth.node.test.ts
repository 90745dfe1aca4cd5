/**
 * OAuth as Bakaláři does it: password login, refresh rotation, redeemed and unknown
 * refresh tokens, wrong passwords, expiry, and the bearer check of the API.
 */
import { describe, expect, it, vi } from "vitest";
import { get, PASSWORD, passwordLogin, postLogin, startSchool, type TokenPair, useFakeSchool, USERNAME } from "./support";

const DENIED = { Message: "Authorization has been denied for this request." };

const { fake, control } = useFakeSchool();

const refresh = (refreshToken: string) =>
  postLogin(fake.url, { client_id: "ANDR", grant_type: "refresh_token", refresh_token: refreshToken });
const userStatus = async (token: string) => (await get(fake.url, "/api/3/user", token)).status;

describe("password login", () => {
  it("answers a token pair in the documented shape, and the access token opens the API", async () => {
    const answer = await postLogin(fake.url, { client_id: "ANDR", grant_type: "password", username: USERNAME, password: PASSWORD });
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.text);
    // Lower-case "bearer" and 3599 seconds, as moduly/login.md shows them.
    expect(body).toMatchObject({ token_type: "bearer", expires_in: 3599, "bak:UserId": expect.any(String) });
    expect(body["bak:ApiVersion"]).toMatch(/^3\./);
    expect(body.access_token.length).toBeGreaterThan(100);
    expect(body.refresh_token.length).toBeGreaterThan(100);
    expect(body.access_token).not.toBe(body.refresh_token);
    expect(
      Object.keys(body).filter(
        (k) => !["access_token", "refresh_token", "expires_in", "token_type", "bak:ApiVersion", "bak:UserId"].includes(k),
      ).length,
    ).toBeGreaterThan(0);
    expect(await userStatus(body.access_token)).toBe(200);
  });

  it("refuses a wrong password or username with 400 invalid_grant", async () => {
    for (const [username, password] of [
      [USERNAME, "wrong"],
      ["someone-else", PASSWORD],
    ]) {
      const answer = await postLogin(fake.url, { client_id: "ANDR", grant_type: "password", username: username!, password: password! });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text)).toMatchObject({ error: "invalid_grant", error_description: expect.any(String) });
    }
  });

  it("refuses requests that are not a proper grant", async () => {
    const cases: [Record<string, string>, string, string?][] = [
      [{ grant_type: "password", username: USERNAME, password: PASSWORD }, "invalid_request"],
      [{ client_id: "WEB", grant_type: "password", username: USERNAME, password: PASSWORD }, "invalid_client"],
      [{ client_id: "ANDR", grant_type: "client_credentials" }, "unsupported_grant_type"],
      [{ client_id: "ANDR" }, "invalid_request"],
      [{ client_id: "ANDR", grant_type: "password", username: USERNAME }, "invalid_request"],
      [{ client_id: "ANDR", grant_type: "refresh_token" }, "invalid_request"],
      [{ client_id: "ANDR", grant_type: "password", username: USERNAME, password: PASSWORD }, "invalid_request", "application/json"],
    ];
    for (const [form, error, contentType] of cases) {
      const answer = await postLogin(fake.url, form, contentType);
      expect(answer.status, JSON.stringify(form)).toBe(400);
      expect(JSON.parse(answer.text), JSON.stringify(form)).toMatchObject({ error, error_description: expect.any(String) });
    }
  });

  it("uses the account that the start options or a reset name", async () => {
    const custom = await startSchool({ username: "robot", password: "s3cret" });
    try {
      await expect(passwordLogin(custom.fake.url)).rejects.toThrow(/400/);
      expect((await passwordLogin(custom.fake.url, "robot", "s3cret")).access_token).toBeTruthy();
      await custom.control.reset({ password: "other" });
      await expect(passwordLogin(custom.fake.url, "robot", "s3cret")).rejects.toThrow(/invalid_grant/);
      expect((await passwordLogin(custom.fake.url, "robot", "other")).access_token).toBeTruthy();
    } finally {
      await custom.fake.close();
    }
  });
});

describe("refresh", () => {
  it("rotates the pair; the old refresh token is redeemed, the new one works once", async () => {
    const first = await passwordLogin(fake.url);
    const answer = await refresh(first.refresh_token);
    expect(answer.status).toBe(200);
    const second = JSON.parse(answer.text) as TokenPair;
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.token_type).toBe("bearer");
    expect(await userStatus(second.access_token)).toBe(200);

    const again = await refresh(first.refresh_token);
    expect(again.status).toBe(400);
    expect(JSON.parse(again.text)).toMatchObject({
      error: "invalid_grant",
      error_description: "The refresh token has already been redeemed.",
    });

    const third = await refresh(second.refresh_token);
    expect(third.status).toBe(200);
    expect((await refresh(second.refresh_token)).status).toBe(400);
  });

  it("refuses an unknown refresh token with invalid_grant", async () => {
    const answer = await refresh("not-a-refresh-token");
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({ error: "invalid_grant" });
  });

  it("forgets every token on reset", async () => {
    const pair = await passwordLogin(fake.url);
    await control.reset();
    expect(await userStatus(pair.access_token)).toBe(401);
    expect((await refresh(pair.refresh_token)).status).toBe(400);
  });
});

describe("access tokens", () => {
  it("answers 401 with the documented Message without a token, with an unknown one, and with an expired one", async () => {
    for (const headers of [{}, { authorization: "Bearer nonsense" }, { authorization: "Basic c3luYzpwYXNz" }] as Record<string, string>[]) {
      const response = await fetch(`${fake.url}/api/3/timetable/permanent`, { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual(DENIED);
    }

    const pair = await passwordLogin(fake.url);
    expect(await userStatus(pair.access_token)).toBe(200);
    const expired = await control.auth({ expireAccessTokens: true });
    expect(expired).toMatchObject({ ok: true, expired: 1 });
    for (const path of ["/api/3/user", "/api/3/timetable/permanent", "/api/3/classbook?from=2026-01-05&to=2026-01-05"]) {
      const answer = await get(fake.url, path, pair.access_token);
      expect(answer.status, path).toBe(401);
      expect(JSON.parse(answer.text)).toEqual(DENIED);
    }
    // The refresh token still works after the access token expired, and its new token is live.
    const renewed = await refresh(pair.refresh_token);
    expect(renewed.status).toBe(200);
    expect(await userStatus(JSON.parse(renewed.text).access_token)).toBe(200);
  });

  it("issues tokens with the lifetime set through the control API", async () => {
    expect(await control.auth({ accessTokenLifetimeSec: 120 })).toMatchObject({ ok: true, accessTokenLifetimeSec: 120 });
    expect((await passwordLogin(fake.url)).expires_in).toBe(120);
  });

  it("expires an access token when its lifetime has passed on the wall clock", async () => {
    // The server runs in this process: moving Date forward is its clock moving forward.
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      await control.auth({ accessTokenLifetimeSec: 60 });
      const pair = await passwordLogin(fake.url);
      vi.setSystemTime(Date.now() + 59_000);
      expect(await userStatus(pair.access_token)).toBe(200);
      vi.setSystemTime(Date.now() + 2_000);
      expect(await userStatus(pair.access_token)).toBe(401);
    } finally {
      vi.useRealTimers();
    }
  });

  it("changes the password through the control API", async () => {
    await control.auth({ password: "new-password" });
    await expect(passwordLogin(fake.url)).rejects.toThrow(/invalid_grant/);
    expect((await passwordLogin(fake.url, USERNAME, "new-password")).access_token).toBeTruthy();
  });
});

describe("login counters", () => {
  it("counts password logins, refreshes and failures", async () => {
    const pair = await passwordLogin(fake.url);
    await refresh(pair.refresh_token);
    await refresh(pair.refresh_token);
    await postLogin(fake.url, { client_id: "ANDR", grant_type: "password", username: USERNAME, password: "nope" });
    const stats = await control.stats();
    expect(stats.logins).toEqual({ password: 1, refresh: 1, failed: 2 });
    expect(stats.requests.byEndpoint["POST /api/login"]).toBe(4);
  });
});
