-- Neovim's built-in LSP client started on rulebook files: `sop lsp` for
-- every YAML file under a folder that holds a rulebook.yaml (Neovim 0.7+;
-- from 0.8 `vim.lsp.start` does the same in one call). Used for the
-- screenshot in docs/editors.md: nvim -u docs/editors/init.lua sops/show-flat.yaml
vim.o.number = true
vim.o.signcolumn = "yes"
vim.o.termguicolors = false
vim.o.completeopt = "menuone,noinsert"
vim.o.updatetime = 300
vim.o.swapfile = false
vim.o.pumheight = 12

local function rulebook_root(file)
  local dir = vim.fn.fnamemodify(file, ":p:h")
  while dir ~= "/" and dir ~= "" do
    if vim.fn.filereadable(dir .. "/rulebook.yaml") == 1 then
      return dir
    end
    dir = vim.fn.fnamemodify(dir, ":h")
  end
  return nil
end

local clients = {}
vim.api.nvim_create_autocmd("FileType", {
  pattern = "yaml",
  callback = function(args)
    local root = rulebook_root(vim.api.nvim_buf_get_name(args.buf))
    if not root then
      return
    end
    if not clients[root] then
      clients[root] = vim.lsp.start_client({
        name = "sop",
        cmd = { "sop", "lsp" },
        root_dir = root,
      })
    end
    vim.lsp.buf_attach_client(args.buf, clients[root])
    vim.bo[args.buf].omnifunc = "v:lua.vim.lsp.omnifunc"
    local map = function(lhs, rhs) vim.keymap.set("n", lhs, rhs, { buffer = args.buf }) end
    map("gd", vim.lsp.buf.definition)
    map("gr", vim.lsp.buf.references)
    map("K", vim.lsp.buf.hover)
    map("<space>rn", vim.lsp.buf.rename)
    map("<space>ca", vim.lsp.buf.code_action)
    map("<space>o", vim.lsp.buf.document_symbol)
  end,
})

-- :SopFlowchart opens the procedure's flowchart (Mermaid) in a new window
vim.api.nvim_create_user_command("SopFlowchart", function()
  local params = { command = "sop.flowchart", arguments = { vim.uri_from_bufnr(0) } }
  vim.lsp.buf_request(0, "workspace/executeCommand", params, function(err, chart)
    if err or not chart then
      vim.notify("no flowchart: " .. (err and err.message or "the file does not build"))
      return
    end
    vim.cmd("new")
    vim.api.nvim_buf_set_lines(0, 0, -1, false, vim.split(chart, "\n"))
    vim.bo.filetype = "mermaid"
    vim.bo.buftype = "nofile"
  end)
end, {})

-- show diagnostics while typing, not only after leaving insert mode
vim.diagnostic.config({ update_in_insert = true, severity_sort = true })

-- :SopPreview writes the flowchart preview (an HTML page that follows your
-- typing) and opens it in the browser; Neovim 0.7 cannot be asked to open a
-- document itself (window/showDocument), so the path is opened here.
vim.api.nvim_create_user_command("SopPreview", function()
  local params = { command = "sop.preview", arguments = { vim.uri_from_bufnr(0) } }
  vim.lsp.buf_request(0, "workspace/executeCommand", params, function(err, page)
    if err or not page then
      vim.notify("no preview: " .. (err and err.message or "the file does not build"))
      return
    end
    local path = vim.uri_to_fname(page)
    local opener = vim.fn.has("mac") == 1 and "open" or "xdg-open"
    if vim.fn.executable(opener) == 1 then
      vim.fn.jobstart({ opener, path }, { detach = true })
    end
    vim.notify("flowchart preview: " .. path)
  end)
end, {})
