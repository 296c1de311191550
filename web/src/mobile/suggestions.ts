// What the mobile pages need to know about a suggestion, in one place.
import type { components } from "@/api/schema";

export type Suggestion = components["schemas"]["SuggestionView"];
export type Assignment = components["schemas"]["AssignmentView"];

/** The due date the deputy waits for: the earliest of the departments still handling it. */
export function dueDate(suggestion: Suggestion): string | null {
  const open = (suggestion.assignments ?? []).filter((a) => a.active !== false && !a.replied_at);
  const dates = open.map((a) => a.due_date).filter((d): d is string => Boolean(d)).sort();
  return dates[0] ?? null;
}

export const STATUS_TAG: Record<string, "primary" | "success" | "warning" | "danger" | "default"> = {
  submitted: "default",
  accepted: "primary",
  assigned: "primary",
  replied: "success",
  rehandling: "warning",
  closed: "success",
  rejected: "danger",
  withdrawn: "default",
  merged: "default",
};
