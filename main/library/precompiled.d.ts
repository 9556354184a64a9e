// The precompiled built-in library (main/library/compile.ts), served by the build plugin
// scripts/builtin-library-plugin.ts to Vite, Vitest, electron-vite and the CLI bundle alike.
declare module 'virtual:daxlab-builtin-library' {
  // An ambient module may not import a relative path; import() keeps this file a global declaration.
  // eslint-disable-next-line @typescript-eslint/consistent-type-imports
  const library: import('./compile').PrecompiledLibrary
  export default library
}
