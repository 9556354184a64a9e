// Lint, and the layer rules that keep the runtimes apart (VS Code's code-layering idea): the pure layer
// (engine, formats, contract, library, arch plugins) may not reach Node, Electron, SQLite or the DOM; only
// the Electron glue imports electron; the renderer talks to the backend only through its API module.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'
import vueParser from 'vue-eslint-parser'
import globals from 'globals'

import { builtinModules } from 'node:module'

// Node built-ins by exact name (a pattern like 'http' would also catch a local './http'), plus node:*.
const nodeBuiltins = (message) => builtinModules.map((name) => ({ name, message }))
const nodeModules = ['node:*']
const restricted = (names, message) => ({ group: names, message })

const PURE = ['arch/**/*.ts', 'main/sim/**/*.ts', 'main/formats/**/*.ts', 'main/contract/**/*.ts', 'main/library/**/*.ts', 'main/diff/**/*.ts', 'main/export/**/*.ts', 'main/trace-import/**/*.ts', 'main/explore/**/*.ts']
const NODE_NO_ELECTRON = ['main/store/**/*.ts', 'main/cli/**/*.ts', 'main/services/**/*.ts', 'main/web/**/*.ts', 'main/sweep/**/*.ts', 'main/explore-host/**/*.ts', 'test/bench/**/*.ts', 'scripts/**']

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, sourceType: 'module' }, globals: { ...globals.browser } },
  },
  {
    files: PURE,
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins('the pure layer runs in Node, Electron and the browser alike: no Node modules'),
          patterns: [restricted(nodeModules, 'the pure layer runs in Node, Electron and the browser alike: no Node modules'), restricted(['electron', 'better-sqlite3', 'vue', 'pinia'], 'the pure layer may not use electron, SQLite or the UI')],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'window', 'document', 'require', '__dirname', 'setImmediate'],
    },
  },
  {
    // arch/ imports nothing outside arch/ (the engine imports arch, never the reverse).
    files: ['arch/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins('arch plugins are pure'),
          patterns: [restricted(['../main/*', '../../main/*', '../../../main/*', '**/main/**'], 'arch/ may not import outside arch/'), restricted(nodeModules, 'arch plugins are pure'), restricted(['electron', 'better-sqlite3', 'vue', 'pinia'], 'arch plugins are pure')],
        },
      ],
    },
  },
  {
    files: NODE_NO_ELECTRON,
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'only main/app, main/index.ts and preload/ import electron' }] }] },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.vue'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins('the renderer has no Node'),
          patterns: [
            restricted(nodeModules, 'the renderer has no Node'),
            restricted(['electron', 'better-sqlite3'], 'the renderer reaches the backend only through renderer/api'),
            restricted(['**/main/store/**', '**/main/cli/**', '**/main/services/**', '**/main/app/**', '**/main/web/**'], 'the renderer reaches the backend only through renderer/api'),
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name=/^(only|skip|todo)$/]", message: 'no focused or skipped tests: CI would hide failures' },
      ],
    },
  },
)
