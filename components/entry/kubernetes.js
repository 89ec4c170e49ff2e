"use strict";
// Entry kubernetes of @mlops/components: the sources in the repository, dist/ when installed (see load.js).
module.exports = require("./load")("kubernetes");
