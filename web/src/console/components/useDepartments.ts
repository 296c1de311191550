// The county departments (for filters and names in tables), read once per page.
import { ref } from "vue";
import { api } from "@/api/client";
import type { components } from "@/api/schema";
import { attempt } from "../problems";

type Department = components["schemas"]["Department"];

export function useDepartments() {
  const departments = ref<Department[]>([]);
  void attempt(() => api.GET("/api/v1/departments")).then(({ data }) => {
    departments.value = (data?.items ?? []).filter((d) => d.active !== false);
  });

  function nameOf(code: string | null | undefined): string {
    const found = departments.value.find((d) => d.code === code);
    return found?.short_name || found?.name || code || "";
  }

  return { departments, nameOf };
}
