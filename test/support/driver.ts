/**
 * How a workers project reaches Postgres (vitest.config.ts provides it): "neon", Neon's serverless
 * driver over the WebSocket-to-TCP proxy with DATABASE_URL; "hyperdrive", node-postgres through
 * miniflare's Hyperdrive binding, with no DATABASE_URL to fall back on. The Worker's bindings
 * (testBindings), the engine (engine) and the tests' own handles (connect) all follow it.
 */
import { inject, type ProvidedContext } from "vitest";

export type Driver = ProvidedContext["driver"];

export const DRIVER: Driver = inject("driver");
