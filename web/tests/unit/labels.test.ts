import { describe, expect, it } from "vitest";
import { CHOICES, ERROR_CODES, label, ROLES } from "@/shared/labels";

describe("labels", () => {
  it("maps API values to Chinese and shows unknown values as they are", () => {
    expect(label(CHOICES, "yes")).toBe("赞成");
    expect(label(ROLES, "deputy")).toBe("人大代表");
    expect(label(ERROR_CODES, "SOMETHING_NEW")).toBe("SOMETHING_NEW");
    expect(label(ROLES, null)).toBe("");
  });
});
