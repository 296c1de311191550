// Who sits on the standing committee, for picking a meeting's members, and the meeting's start
// time as staff type it (Beijing time).
import { api } from "@/api/client";
import { beijingDay } from "@/shared/dates";

export interface Person { deputy_id: string; name: string }

export interface Committee { source: string; members: Person[] }

interface Listed { id: number; title: string; kind: string; expected: number }

/** The standing committee as the last full standing-committee meeting had it: among the recent
 * standing-committee meetings the one with the most members (a meeting of a few members, a
 * subgroup, is not the committee), the newest of those. */
export function committeeMeeting(meetings: Listed[]): Listed | null {
  const standing = meetings.filter((m) => m.kind === "standing_committee" && m.expected > 0);
  return standing.reduce<Listed | null>((best, m) => (best === null || m.expected > best.expected ? m : best), null);
}

export async function loadCommittee(): Promise<Committee | null> {
  const list = await api.GET("/api/v1/meetings", { params: { query: { limit: 100 } } });
  const meeting = committeeMeeting((list.data?.items ?? []) as unknown as Listed[]);
  if (!meeting) {
    return null;
  }
  const attendance = await api.GET("/api/v1/meetings/{meeting_id}/attendance",
    { params: { path: { meeting_id: String(meeting.id) } } });
  const members = (attendance.data?.members ?? []) as unknown as Person[];
  return { source: meeting.title, members: members.map((m) => ({ deputy_id: m.deputy_id, name: m.name })) };
}

/** "2026-12-05 09:00" (Beijing time) → "2026-12-05T09:00:00+08:00"; null when not such a time. */
export function startsAtIso(text: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$/.exec(text.trim());
  if (!match) {
    return null;
  }
  const [, y, mo, d, h, mi] = match;
  const check = new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi));
  if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59) {
    return null;
  }
  return `${y}-${mo}-${d}T${h}:${mi}:00+08:00`;
}

/** Tomorrow 09:00 Beijing time, as the form shows it. */
export function tomorrowMorning(now: Date = new Date()): string {
  return `${beijingDay(new Date(now.getTime() + 86_400_000))} 09:00`;
}
