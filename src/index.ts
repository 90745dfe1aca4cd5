import type { Bindings } from "./config";
import { createApp } from "./http/app";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(_controller, _env, _ctx) {
    // The cron sync lands with the engine (issue 4).
  },
} satisfies ExportedHandler<Bindings>;
