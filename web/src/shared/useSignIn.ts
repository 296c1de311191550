// The sign-in form's behaviour, shared by the console and the mobile app: one attempt at a
// time, the failure in Chinese (wrong password, throttled with the wait, network), then on
// to the page the person came from.
import { ref } from "vue";
import { useRoute, useRouter } from "vue-router";
import { signIn } from "@/api/signin";

export function useSignIn() {
  const failure = ref("");
  const busy = ref(false);
  const route = useRoute();
  const router = useRouter();

  async function submit(username: string, password: string): Promise<void> {
    busy.value = true;
    failure.value = "";
    const problem = await signIn(username.trim(), password);
    busy.value = false;
    if (problem) {
      failure.value = problem.message;
      return;
    }
    await router.replace(typeof route.query.next === "string" ? route.query.next : "/");
  }

  return { failure, busy, submit };
}
