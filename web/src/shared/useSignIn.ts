// The sign-in form's behaviour, shared by the console and the mobile app: one attempt at a
// time, the failure in Chinese (wrong password, throttled with the wait, network), then on
// to the page the person came from (after choosing a new password, if the app asks for
// one when the account still has its initial password).
import { onBeforeUnmount, ref } from "vue";
import { useRoute, useRouter } from "vue-router";
import { session } from "@/api/session";
import { signIn } from "@/api/signin";

export function useSignIn() {
  const failure = ref("");
  const busy = ref(false);
  /** seconds until the throttle lets the next attempt in (0: not throttled) */
  const waitSeconds = ref(0);
  let timer: ReturnType<typeof setInterval> | undefined;

  function countDown(seconds: number): void {
    clearInterval(timer);
    waitSeconds.value = seconds;
    timer = setInterval(() => {
      waitSeconds.value = Math.max(0, waitSeconds.value - 1);
      if (waitSeconds.value === 0) {
        clearInterval(timer);
      }
    }, 1000);
  }
  onBeforeUnmount(() => clearInterval(timer));
  const route = useRoute();
  const router = useRouter();

  async function submit(username: string, password: string): Promise<void> {
    busy.value = true;
    failure.value = "";
    const problem = await signIn(username.trim(), password);
    busy.value = false;
    if (problem) {
      failure.value = problem.message;
      if (problem.retryAfterSeconds) {
        countDown(problem.retryAfterSeconds);
      }
      return;
    }
    const next = typeof route.query.next === "string" ? route.query.next : "/";
    if (session.mustChangePassword && router.hasRoute("password")) {
      await router.replace({ name: "password", query: { next } });   // an initial password: choose one's own first
      return;
    }
    await router.replace(next);
  }

  return { failure, busy, waitSeconds, submit };
}
