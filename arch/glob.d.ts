// Vite's import.meta.glob, declared without pulling vite/client (which brings DOM types) into the pure
// layer. Vite, Vitest and the CLI bundle all resolve it at build time.
interface ImportMeta {
  glob<T = unknown>(pattern: string | string[], options: { eager: true; import?: string; query?: string }): Record<string, T>
}
