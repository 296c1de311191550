// Giving a deputy or a department a sign-in: ask first (a second time resets the password), then
// show the initial password once (InitialPasswordDialog) and forget it when the dialog closes.
import { reactive } from "vue";
import { ElMessageBox } from "element-plus";
import { attempt, type Answer, type Problem } from "../problems";

type Issued = { username?: string; initial_password?: string };

export function useInitialPassword() {
  const account = reactive({ open: false, username: "", password: "" });

  /** Returns the problem to show (null when done or cancelled). */
  async function give(who: string, issue: () => Promise<Answer<Issued>>): Promise<Problem | null> {
    try {
      await ElMessageBox.confirm(`为 ${who} 开通登录？如已开通，将重设初始密码，原密码失效。`, "开通登录",
        { confirmButtonText: "开通", cancelButtonText: "取消" });
    } catch {
      return null;
    }
    const { data, problem } = await attempt(issue);
    if (data) {
      Object.assign(account, { open: true, username: data.username ?? "", password: data.initial_password ?? "" });
    }
    return problem;
  }

  function forget() {
    account.password = "";
  }

  return { account, give, forget };
}
