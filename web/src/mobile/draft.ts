// The draft of a suggestion being written, kept in localStorage until the server confirms
// it was filed: it survives a reload, a closed tab and a lost connection. Only the draft is
// kept there (never a token: the session is an httpOnly cookie). The Idempotency-Key is part
// of the draft, so a retry after a lost answer files one suggestion, not two.
export interface CoSigner {
  id: string;
  name: string;
  town?: string | null;
  level?: string | null;
}

export interface SuggestionDraft {
  title: string;
  content: string;
  category: string;
  coSigners: CoSigner[];
  inSession: boolean;
  session: number;
  /** sent with every attempt to file this draft; a new one only after the server refused it */
  idempotencyKey: string;
}

function newKey(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") {
    return crypto.randomUUID();
  }
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

export function emptyDraft(): SuggestionDraft {
  return { title: "", content: "", category: "", coSigners: [], inSession: false, session: 1, idempotencyKey: newKey() };
}

function storageKey(username: string): string {
  return `renda.mobile.suggestion-draft.${username}`;
}

export function loadDraft(username: string): SuggestionDraft {
  try {
    const raw = localStorage.getItem(storageKey(username));
    if (raw) {
      const saved = JSON.parse(raw) as Partial<SuggestionDraft>;
      return { ...emptyDraft(), ...saved, coSigners: Array.isArray(saved.coSigners) ? saved.coSigners : [] };
    }
  } catch {
    // a damaged draft is dropped rather than breaking the page
  }
  return emptyDraft();
}

export function saveDraft(username: string, draft: SuggestionDraft): void {
  try {
    localStorage.setItem(storageKey(username), JSON.stringify(draft));
  } catch {
    // storage full or disabled: the draft still lives in the page
  }
}

export function dropDraft(username: string): void {
  localStorage.removeItem(storageKey(username));
}

/** After the server refused the draft (nothing was filed), the next attempt is a new request. */
export function renewKey(draft: SuggestionDraft): void {
  draft.idempotencyKey = newKey();
}
