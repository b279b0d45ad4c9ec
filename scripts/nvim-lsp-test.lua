-- Driven by scripts/nvim-lsp-test.sh: `nvim --headless -u NONE -l`-style (0.7: `-c luafile`).
-- Opens $WORKFLOW, starts `$CACHELINT_BIN server` with vim.lsp.start_client (0.7 API), waits
-- for the diagnostics, checks one column (Neovim's own UTF-16 to byte conversion), requests
-- the code actions at the nox/key-missing-hash finding, applies the preferred quick fix with
-- vim.lsp.util.apply_workspace_edit and the client's offset_encoding, waits for the server to
-- lint the changed buffer, writes the file and quits. Any failure: `cquit` (exit code 1).

local function fail(msg)
  io.stderr:write("nvim-lsp-test: " .. msg .. "\n")
  vim.cmd("cquit 1")
end

local bin = os.getenv("CACHELINT_BIN")
local file = os.getenv("WORKFLOW")
vim.cmd("edit " .. vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = "cachelint",
  cmd = { bin, "server" },
  root_dir = vim.fn.fnamemodify(file, ":h:h:h"),
})
if not client_id then
  fail("the client did not start")
end
vim.lsp.buf_attach_client(buf, client_id)

local function find(code)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == code then
      return d
    end
  end
end

if not vim.wait(20000, function() return find("nox/key-missing-hash") ~= nil end, 20) then
  fail("no nox/key-missing-hash diagnostic")
end
local missing = find("nox/cache-missing")
if not missing then
  fail("no nox/cache-missing diagnostic")
end
-- `pipx` on line 9 after `Tëst 🚀`: byte column 34 (0-based), from UTF-16 column 31.
if missing.lnum ~= 8 or missing.col ~= 34 then
  fail(string.format("nox/cache-missing at %d:%d, expected 8:34", missing.lnum, missing.col))
end

local client = vim.lsp.get_client_by_id(client_id)
local d = find("nox/key-missing-hash")
-- The finding's whole line (0.7 keeps no LSP range in the diagnostic).
local params = {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  range = { start = { line = d.lnum, character = 0 }, ["end"] = { line = d.lnum + 1, character = 0 } },
  context = { diagnostics = {} },
}
local resp = client.request_sync("textDocument/codeAction", params, 10000, buf)
if not resp or resp.err or not resp.result then
  fail("codeAction failed: " .. vim.inspect(resp))
end
local chosen
for _, a in ipairs(resp.result) do
  if a.kind == "quickfix" and a.isPreferred then
    chosen = a
  end
end
if not chosen then
  fail("no preferred quick fix in " .. vim.inspect(resp.result))
end
vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)

-- The server lints the edited buffer (sent as an incremental change): the finding goes.
if not vim.wait(20000, function() return find("nox/key-missing-hash") == nil and find("nox/cache-missing") ~= nil end, 20) then
  fail("the diagnostics did not follow the edit: " .. vim.inspect(vim.diagnostic.get(buf)))
end
vim.cmd("write")
vim.lsp.stop_client(client_id)
vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
vim.cmd("qall!")
