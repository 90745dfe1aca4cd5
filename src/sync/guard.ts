/**
 * The guard: refuses to apply a plan that looks like a broken feed.
 * A plan is held when, for any entity type, it would deactivate more than
 * maxDeleteRatio, or update more than maxUpdateRatio, of that type's active rows,
 * and more than HOLD_FLOOR rows of it. The floor keeps small, ordinary changes
 * in a small school (a class of 8 pupils leaving) from needing an operator.
 */
import { ENTITY_TYPES, type EntityType, type Plan } from "./plan";

export const HOLD_FLOOR = 10;

export type HoldReason = {
  type: EntityType;
  kind: "deactivate" | "update";
  count: number;
  activeBefore: number;
  ratio: number;
  limit: number;
};

export type GuardLimits = { maxDeleteRatio: number; maxUpdateRatio: number };

export function holdReasons(plan: Plan, limits: GuardLimits): HoldReason[] {
  const reasons: HoldReason[] = [];
  for (const type of ENTITY_TYPES) {
    const entity = plan[type];
    const check = (kind: HoldReason["kind"], count: number, limit: number) => {
      if (count <= HOLD_FLOOR) return;
      const ratio = entity.activeBefore === 0 ? 1 : count / entity.activeBefore;
      if (ratio > limit)
        reasons.push({ type, kind, count, activeBefore: entity.activeBefore, ratio: Math.round(ratio * 1000) / 1000, limit });
    };
    check("deactivate", entity.deactivate.length, limits.maxDeleteRatio);
    check("update", entity.update.length, limits.maxUpdateRatio);
  }
  return reasons;
}

/**
 * A hold reason as people read it, in the run's record and on the dashboard:
 * "Would deactivate 105 of 223 active users (47%; the limit is 10%)".
 */
export function describeHold(reason: HoldReason, formatCount: (n: number) => string = (n) => n.toLocaleString("en-US")): string {
  const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;
  const { kind, count, activeBefore, type } = reason;
  return `Would ${kind} ${formatCount(count)} of ${formatCount(activeBefore)} active ${type} (${percent(reason.ratio)}; the limit is ${percent(reason.limit)})`;
}
