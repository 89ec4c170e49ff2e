"use strict";
// Entry gcp-args of @mlops/components: the sources in the repository, dist/ when installed (see load.js).
module.exports = require("./load")("gcp-args");
