/** Tests are plain JavaScript (the n8n linter applies node rules to every .ts file);
 *  the TypeScript sources they exercise are compiled on the fly. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.js'],
	moduleFileExtensions: ['ts', 'js', 'json'],
	transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
	testTimeout: 30000,
	globalSetup: '<rootDir>/test/tooling/jest-setup.js',
	globalTeardown: '<rootDir>/test/tooling/jest-teardown.js',
};
