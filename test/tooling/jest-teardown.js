'use strict';
module.exports = require('./jest-temp').teardown;
