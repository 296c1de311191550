// One ECharts instance bound to an element for a component's life: created on mount, redrawn
// when `sources` change, resized with the window, disposed on unmount. The caller's `draw`
// sets the option (each chart imports and registers only the ECharts parts it draws).
import { onBeforeUnmount, onMounted, watch, type Ref, type WatchSource } from "vue";
import { init, type ECharts } from "echarts/core";

export function useEChart(box: Ref<HTMLElement | null>, draw: (chart: ECharts) => void, sources: WatchSource) {
  let chart: ECharts | null = null;
  const redraw = () => chart && draw(chart);
  const resize = () => chart?.resize();
  onMounted(() => {
    if (box.value) {
      chart = init(box.value, null, { locale: "ZH" });
      redraw();
      window.addEventListener("resize", resize);
    }
  });
  watch(sources, redraw, { deep: true });
  onBeforeUnmount(() => {
    window.removeEventListener("resize", resize);
    chart?.dispose();
    chart = null;
  });
}
