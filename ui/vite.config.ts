import { defineConfig } from "vite";

export default defineConfig({
  clearScreen: false,
  build: { target: "safari15", outDir: "dist", emptyOutDir: true },
  // The page's words live in ../messages, beside the core that shares them.
  server: { fs: { allow: [".", "../messages"] } },
  test: { environment: "jsdom" },
});
