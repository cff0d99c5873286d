'use strict';
module.exports = require('./jest-temp').setup;
