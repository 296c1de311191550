/// <reference types="vitest/config" />
// Two entries in one build: the desktop console (Element Plus) and the deputies' mobile app
// (Vant). The gateway serves dist/console.html at /console/, dist/mobile.html at /m/ and the
// hashed assets under /app/ with a year of cache (web/README.md).
import { fileURLToPath, URL } from "node:url";
import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";

export default defineConfig({
  base: "/app/",
  plugins: [vue()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // dist/.vite/manifest.json: which chunks each entry and route loads (bench/keypad.py and
    // bench/console_size.py size what a page loads first)
    manifest: true,
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      input: {
        console: fileURLToPath(new URL("./console.html", import.meta.url)),
        mobile: fileURLToPath(new URL("./mobile.html", import.meta.url)),
      },
    },
  },
  test: {
    environment: "happy-dom",
    include: ["tests/unit/**/*.test.ts"],
  },
});
