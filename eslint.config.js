import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const pureFolders = [
  'core/**/*.ts',
  'emulator/devices/**/*.ts',
  'emulator/consumer/**/*.ts',
  // The DSP decides on the request, the registry and the virtual instant only; its bus gateway takes a Bus port.
  'dsp/**/*.ts',
  // The deterministic half of the bus; the network adapters live beside it and may use sockets.
  'emulator/bus/{port,topics,topic-syntax,client-id,identity-check,filter-trie,memory-bus,multiplexed-bus,acl,fault-plan,faulty-bus}.ts',
  // The scenario format is data and checks on it; only its loader reads files.
  'scenarios/schema/!(load).ts',
  // The sharded run's protocol, its engine interface and the stand-in engine; sockets, workers and timers live beside them in scale/.
  'scale/protocol/**/*.ts',
  'scale/{engine,engines,toy-engine}.ts',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Plain JavaScript entry points (the bin shim, worker bootstraps) are not type-checked.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly' },
    },
  },
  {
    // The pure layers run on virtual time and the run's seed only.
    files: pureFolders,
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Schedule on the virtual clock.' },
        { name: 'setInterval', message: 'Schedule on the virtual clock.' },
        { name: 'setImmediate', message: 'Schedule on the virtual clock.' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Read time from the virtual clock.' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Read time from the virtual clock.' },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Draw from the seeded Rng.' },
      ],
      'no-restricted-imports': [
        'error',
        { patterns: ['node:net', 'node:fs', 'node:fs/*', 'node:timers', 'node:timers/*', 'mqtt', 'aedes'] },
      ],
    },
  },
);
