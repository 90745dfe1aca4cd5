/**
 * Signed in or not: the prompt for the token, the console, the page's one alert, and
 * what every authenticated call may be refused with.
 */
import { type Answer, forgetToken } from "./api";
import { plural } from "./figures";
import { shown, ui } from "./ui";

export function say(text: string): void {
  ui.message.textContent = text;
}

export function clearMessage(): void {
  ui.message.textContent = "";
}

export function showSignIn(): void {
  shown.runs = [];
  ui.console.hidden = true;
  ui.signin.hidden = false;
  ui.outcome.replaceChildren();
}

export function showConsole(): void {
  ui.signin.hidden = true;
  ui.console.hidden = false;
}

/** Handles the answers every authenticated call may get; true when handled. */
export function refused(res: Answer<unknown>): boolean {
  if (res.status === 401) {
    forgetToken();
    showSignIn();
    say("The operator token was not accepted (401 Unauthorized). Check it and enter it again.");
    ui.input.focus();
    return true;
  }
  if (res.status === 429) {
    const wait = Number(res.retryAfter);
    if (ui.console.hidden) showSignIn();
    say(
      "Too many failed sign-ins from this network (429 Too Many Requests). Wait " +
        (wait > 0 ? plural(wait, "second", "seconds") : "a minute") +
        " and try again.",
    );
    return true;
  }
  if (res.status === 0) {
    say("The Worker could not be reached. Check the connection and try again.");
    return true;
  }
  return false;
}
