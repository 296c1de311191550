import { describe, expect, it } from "vitest";
import { fieldErrors } from "@/shared/fieldErrors";

describe("API validation details → Chinese next to the field", () => {
  it("translates the server's messages per field", () => {
    const errors = fieldErrors({
      code: "VALIDATION_ERROR", message: "invalid input",
      details: {
        title: ["Length must be between 4 and 200."],
        new_password: ["must be at least 10 bytes long (UTF-8)", "is too common: choose a password"],
        category: ["Must be one of: 教育, 其他."],
      },
    });
    expect(errors.title).toBe("长度应在 4 到 200 个字之间");
    expect(errors.new_password).toBe("至少 10 个字节（一个汉字 3 个字节）；过于常见，请换一个不易被猜到的密码");
    expect(errors.category).toBe("请从列表中选择");
  });

  it("gives nothing for an error without details", () => {
    expect(fieldErrors(null)).toEqual({});
  });
});
