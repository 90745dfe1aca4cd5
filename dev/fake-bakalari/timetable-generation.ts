/**
 * The permanent timetable of a generated school: PE of parallel classes together, split
 * groups (English halves, languages) at one time each, then each class's whole-class
 * subjects in the hours left. Draws from the school's main stream, after the classes.
 */
import { SCHOOL_DAYS, type Gender, type School, type SchoolClass } from "./model";
import type { Rng } from "./random";
import { groupsOfClass } from "./students";

/** The rooms of the split lessons: two gyms for PE, and rooms for the English halves and languages. */
export type SpecialRooms = { gyms: [string, string]; languageRooms: string[] };

const TEACHING_HOURS = [2, 3, 4, 5, 6, 7, 8, 9];

export function generateTimetable(rng: Rng, school: School, rooms: SpecialRooms): void {
  const subjects = [...school.subjects.values()];
  const english = subjects.find((s) => s.kind === "english")!;
  const pe = subjects.find((s) => s.kind === "pe")!;
  const regular = subjects.filter((s) => s.kind === "regular");
  const core = regular.slice(0, Math.min(8, regular.length));
  const usage = new Map(regular.map((s) => [s.id, 0]));
  const qualified = new Map<string, string[]>();
  for (const t of school.teachers.values()) {
    for (const sid of t.subjectIds) qualified.set(sid, [...(qualified.get(sid) ?? []), t.id]);
  }
  const teacherFor = (subjectId: string, avoid?: string) => {
    const list = qualified.get(subjectId) ?? [...school.teachers.keys()];
    const others = list.filter((t) => t !== avoid);
    return rng.pick(others.length > 0 ? others : list);
  };

  const classes = [...school.classes.values()];
  const grids = new Map(classes.map((c) => [c.id, new Set<string>()]));
  const slot = (day: number, hour: number) => `${day}:${hour}`;
  const freeHours = (day: number, classIds: string[]) =>
    TEACHING_HOURS.filter((h) => classIds.every((id) => !grids.get(id)!.has(slot(day, h))));
  const take = (day: number, hour: number, classIds: string[]) => {
    for (const id of classIds) grids.get(id)!.add(slot(day, hour));
  };
  /** Slots on `count` distinct days, free for all the classes: a split group then meets on several days. */
  const spreadSlots = (count: number, classIds: string[]) => {
    const out: [number, number][] = [];
    for (const day of rng.shuffle(SCHOOL_DAYS)) {
      const hours = freeHours(day, classIds);
      if (hours.length === 0) continue;
      out.push([day, rng.pick(hours)]);
      if (out.length === count) break;
    }
    return out;
  };

  // PE of two parallel classes of a grade is taught together: one atom, two groups.
  const units: SchoolClass[][] = [];
  for (const c of classes) {
    const last = units[units.length - 1];
    if (last && last.length === 1 && last[0]!.grade === c.grade) last.push(c);
    else units.push([c]);
  }
  for (const unit of units) {
    const ids = unit.map((c) => c.id);
    const boysTeacher = teacherFor(pe.id);
    const girlsTeacher = teacherFor(pe.id, boysTeacher);
    const peGroups = (gender: Gender) =>
      unit.map((c) => groupsOfClass(school, c.id).find((g) => g.kind === "pe" && g.gender === gender)!.id);
    for (const [day, hour] of spreadSlots(pe.weeklyHours, ids)) {
      take(day, hour, ids);
      school.atoms.push({
        dayOfWeek: day,
        hourId: hour,
        groupIds: peGroups("M"),
        subjectId: pe.id,
        teacherId: boysTeacher,
        roomId: rooms.gyms[0],
      });
      school.atoms.push({
        dayOfWeek: day,
        hourId: hour,
        groupIds: peGroups("F"),
        subjectId: pe.id,
        teacherId: girlsTeacher,
        roomId: rooms.gyms[1],
      });
    }
    for (const c of unit) scheduleClass(c);
  }

  function scheduleClass(c: SchoolClass): void {
    const groups = groupsOfClass(school, c.id);
    // Split groups: every group of a split meets at the same time, each with a teacher of its own.
    const halves = groups.filter((g) => g.kind === "english");
    const firstEnglishTeacher = teacherFor(english.id);
    const englishSplit = halves.map((group, i) => ({
      group,
      subjectId: english.id,
      teacherId: i === 0 ? firstEnglishTeacher : teacherFor(english.id, firstEnglishTeacher),
      roomId: rooms.languageRooms[i]!,
    }));
    const languageSplit = groups
      .filter((g) => g.kind === "language")
      .map((group, i) => ({
        group,
        subjectId: group.subjectId!,
        teacherId: teacherFor(group.subjectId!),
        roomId: rooms.languageRooms[2 + i]!,
      }));
    for (const split of [englishSplit, languageSplit]) {
      if (split.length === 0) continue;
      const weekly = school.subjects.get(split[0]!.subjectId)!.weeklyHours;
      for (const [day, hour] of spreadSlots(weekly, [c.id])) {
        take(day, hour, [c.id]);
        for (const part of split) {
          school.atoms.push({
            dayOfWeek: day,
            hourId: hour,
            groupIds: [part.group.id],
            subjectId: part.subjectId,
            teacherId: part.teacherId,
            roomId: part.roomId,
          });
        }
      }
    }

    // Whole-class subjects: the core ones, then the least used of the rest, so that every subject is taught somewhere.
    const whole = groups.find((g) => g.kind === "whole")!;
    const wanted = Math.min(regular.length, rng.int(13, 16));
    const rest = rng
      .shuffle(regular.filter((s) => !core.includes(s)))
      .sort((a, b) => usage.get(a.id)! - usage.get(b.id)!)
      .slice(0, Math.max(0, wanted - core.length));
    const chosen = [...core, ...rest];
    for (const s of chosen) usage.set(s.id, usage.get(s.id)! + 1);
    const free = rng.shuffle(SCHOOL_DAYS.flatMap((d) => freeHours(d, [c.id]).map((h) => [d, h] as [number, number])));
    const hours = chosen.map((s) => s.weeklyHours);
    // Half the classes have a lab: one of the two hours of a science subject (or the like) is
    // taught in the English halves, at two times, by the same teacher. Its students then take
    // that subject both in the whole class and in their half: one enrollment, not two.
    const lab = halves.length > 0 && rng.chance(0.5) ? hours.findIndex((h, i) => i >= 4 && h >= 2) : -1;
    const needed = () => hours.reduce((a, b) => a + b, 0) + (lab >= 0 ? halves.length - 1 : 0);
    // Trim the heaviest subjects until the week fits (never below one hour).
    while (needed() > free.length) {
      const i = hours.indexOf(Math.max(...hours));
      if (hours[i]! <= 1) break;
      hours[i]! -= 1;
    }
    chosen.forEach((s, i) => {
      const teacherId = teacherFor(s.id);
      // The last subject of every class is taught in no room: `RoomId: ""`.
      const roomId = i === chosen.length - 1 ? "" : c.homeRoomId;
      const place = (groupIds: string[]) => {
        const cell = free.pop();
        if (!cell) return;
        take(cell[0], cell[1], [c.id]);
        school.atoms.push({ dayOfWeek: cell[0], hourId: cell[1], groupIds, subjectId: s.id, teacherId, roomId });
      };
      const wholeHours = i === lab ? hours[i]! - 1 : hours[i]!;
      for (let n = 0; n < wholeHours; n++) place([whole.id]);
      if (i === lab) for (const half of halves) place([half.id]);
    });
  }

  school.atoms.sort((a, b) => a.dayOfWeek - b.dayOfWeek || a.hourId - b.hourId);
}
