// Parses Power Query (M) text from stdin with Microsoft's parser (@microsoft/powerquery-parser).
// Exit 0 and print "OK" when the text lexes and parses; exit 1 with the parser's error otherwise.
// Used by tests/documents/test_powerquery.py to check every function the gateway generates.
"use strict";

const PQP = require("@microsoft/powerquery-parser");

function readStdin() {
    return new Promise((resolve, reject) => {
        const chunks = [];
        process.stdin.on("data", (chunk) => chunks.push(chunk));
        process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        process.stdin.on("error", reject);
    });
}

function describe(error) {
    const inner = error && error.innerError ? error.innerError : error;
    const message = (error && error.message) || (inner && inner.message) || String(error);
    const found = inner && (inner.foundToken || inner.maybeFoundToken);
    const position = found && found.token ? found.token.positionStart : inner && inner.graphemePosition;
    const where = position ? ` at line ${position.lineNumber + 1}, column ${position.lineCodeUnit + 1}` : "";
    return message + where;
}

async function main() {
    const text = await readStdin();
    if (text.trim() === "") {
        process.stderr.write("no M text on stdin\n");
        process.exit(2);
    }
    const task = await PQP.TaskUtils.tryLexParse(PQP.DefaultSettings, text);
    if (PQP.TaskUtils.isParseStageOk(task)) {
        process.stdout.write("OK\n");
        return;
    }
    process.stderr.write(`${task.stage} error: ${describe(task.error)}\n`);
    process.exit(1);
}

main().catch((error) => {
    process.stderr.write(`parse.js crashed: ${error && error.stack ? error.stack : error}\n`);
    process.exit(3);
});
