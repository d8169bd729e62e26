module.exports = { ...require('@cronium/config/jest-preset'), rootDir: __dirname };
