import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "@/api/client";
import { POLL_MS, pollUnread, unread } from "@/shared/unread";

function setVisibility(state: "visible" | "hidden") {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
  document.dispatchEvent(new Event("visibilitychange"));
}

describe("the 消息 badge between navigations", () => {
  let get: ReturnType<typeof vi.spyOn>;
  beforeEach(() => {
    vi.useFakeTimers();
    unread.value = 0;
    get = vi.spyOn(api, "GET").mockResolvedValue({ data: { items: [], total: 4, unread: 4 } } as never);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("is read again every POLL_MS while the page is visible, and counts what arrived", async () => {
    setVisibility("visible");
    const stop = pollUnread(() => true);
    expect(get).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(get).toHaveBeenCalledTimes(1);
    expect(unread.value).toBe(4);
    stop();
    await vi.advanceTimersByTimeAsync(3 * POLL_MS);
    expect(get).toHaveBeenCalledTimes(1);
  });

  it("is not polled while the page is hidden, and is read when it shows again", async () => {
    setVisibility("hidden");
    const stop = pollUnread(() => true);
    await vi.advanceTimersByTimeAsync(3 * POLL_MS);
    expect(get).not.toHaveBeenCalled();
    setVisibility("visible");
    await vi.advanceTimersByTimeAsync(0);
    expect(get).toHaveBeenCalledTimes(1);
    stop();
  });

  it("never asks for a signed-in role without an inbox", async () => {
    setVisibility("visible");
    const stop = pollUnread(() => false);
    await vi.advanceTimersByTimeAsync(2 * POLL_MS);
    setVisibility("visible");
    expect(get).not.toHaveBeenCalled();
    stop();
  });
});
