'use strict';
// A Selzy-level error: answered as HTTP 200 with {"error", "code"} (and `result` when Selzy adds one).

class ApiError extends Error {
	constructor(code, message, { result } = {}) {
		super(message);
		this.code = code;
		this.result = result;
	}
}

const invalidArg = (message) => new ApiError('invalid_arg', message);

module.exports = { ApiError, invalidArg };
