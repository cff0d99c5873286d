'use strict';
// The dev tooling shared by the end-to-end suites, the benchmark, the demo and the screenshots:
// installing n8n (n8n-install), running it (n8n-process), talking to it (n8n-client), and
// building and installing this package (commands), queue mode with Postgres and Redis
// (queue-mode). The Selzy sandbox lives in test/sandbox.

module.exports = {
	...require('./n8n-install'),
	...require('./n8n-process'),
	...require('./n8n-client'),
	...require('./commands'),
	...require('./queue-mode'),
};
