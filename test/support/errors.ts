import { BakalariError } from "../../src/bakalari/roster";

/** Awaits p and returns the BakalariError it rejected with; anything else fails the test. */
export async function bakalariError(p: Promise<unknown>): Promise<BakalariError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BakalariError) return e;
    throw e;
  }
  throw new Error("expected a BakalariError");
}
