/**
 * The dashboard's markup: a static shell the client script fills from the JSON API.
 * Everything the script needs has an id here; nothing in it depends on data.
 */
import type { FC } from "hono/jsx";
import { raw } from "hono/html";
import { dashboardScript } from "./client-bundle";
import { dashboardStyle } from "./style";

const SignIn: FC = () => (
  <section id="signin" aria-labelledby="signin-title" hidden>
    <h2 id="signin-title">Sign in</h2>
    {/* method=post: should the script not run, a submit never puts the token in the URL; the input has no name, so it is not sent either. */}
    <form id="token-form" method="post" action="/" autocomplete="off">
      <label for="token">Operator token</label>
      <p id="token-hint" class="hint">
        Kept in this browser tab only (sessionStorage) and sent to this Worker's API; closing the tab forgets it.
      </p>
      <div class="inline">
        <input id="token" type="password" autocomplete="off" spellcheck={false} aria-describedby="token-hint" required />
        <button type="submit">Continue</button>
      </div>
    </form>
  </section>
);

const Actions: FC = () => (
  <section aria-labelledby="actions-title">
    <h2 id="actions-title" tabindex={-1}>
      Run a sync
    </h2>
    <div class="buttons">
      <button type="button" id="sync-now" class="primary">
        Sync now
      </button>
      <button type="button" id="preview">
        Preview (dry run)
      </button>
      <button type="button" id="refresh">
        Refresh
      </button>
      <button type="button" id="sign-out">
        Forget token
      </button>
    </div>
    <div id="outcome" aria-live="polite" />
  </section>
);

const Charts: FC = () => (
  <section aria-labelledby="charts-title">
    <h2 id="charts-title">Over time</h2>
    <div class="charts">
      <figure>
        <figcaption>Duration of each finished run</figcaption>
        <div id="chart-durations" class="chart" />
      </figure>
      <figure>
        <figcaption>Rows changed by each applied run</figcaption>
        <div id="chart-changes" class="chart" />
      </figure>
    </div>
    <p class="hint">The runs table below lists the same figures.</p>
  </section>
);

const Runs: FC = () => (
  <section aria-labelledby="runs-title">
    <h2 id="runs-title">Recent runs</h2>
    <p id="runs-empty" hidden>
      No runs yet.
    </p>
    <table id="runs-table" class="runs" hidden>
      <caption class="visually-hidden">Recent runs, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Started</th>
          <th scope="col">Trigger</th>
          <th scope="col">Status</th>
          <th scope="col">Duration</th>
          <th scope="col">Changes</th>
          <th scope="col">Warnings and errors</th>
        </tr>
      </thead>
      <tbody id="runs-body" />
    </table>
    <button type="button" id="more-runs" hidden>
      Show older runs
    </button>
  </section>
);

const ConfirmDialog: FC = () => (
  <dialog id="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-text">
    <h2 id="confirm-title">Apply the held run?</h2>
    <div id="confirm-text" />
    <div class="buttons">
      <button type="button" id="confirm-cancel">
        Cancel
      </button>
      <button type="button" id="confirm-apply" class="danger">
        Apply the changes
      </button>
    </div>
  </dialog>
);

export const Dashboard: FC<{ nonce: string }> = ({ nonce }) => (
  <>
    {raw("<!DOCTYPE html>")}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="robots" content="noindex" />
        {/* An empty icon, so the browser asks the Worker for no favicon. */}
        <link rel="icon" href="data:," />
        <title>Bakaláři sync: dashboard</title>
        <style nonce={nonce} dangerouslySetInnerHTML={{ __html: dashboardStyle }} />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header>
          <h1>Bakaláři sync</h1>
          <p id="health" role="status">
            Health: checking…
          </p>
        </header>
        <main id="main">
          <noscript>
            <p class="alert">The dashboard needs JavaScript. The JSON API under /api works without it.</p>
          </noscript>
          <div id="message" role="alert" class="alert" />
          <SignIn />
          <div id="console" hidden>
            <Actions />
            <Charts />
            <Runs />
          </div>
          <ConfirmDialog />
        </main>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: dashboardScript }} />
      </body>
    </html>
  </>
);
