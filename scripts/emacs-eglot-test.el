;;; emacs-eglot-test.el --- Emacs eglot as cachelint's language server client -*- lexical-binding: t -*-

;; Driven by scripts/emacs-eglot-test.sh: `emacs --batch -Q -l THIS`, with these variables in
;; the environment:
;;   SNIPPET   the Emacs eglot snippet of docs/editors.md, extracted by the shell script and
;;             evaluated as it is (`cachelint' is found on PATH);
;;   WORKFLOW  the workflow copy to open (in a throwaway git repository: eglot's project);
;;   SAFE_COPY where to copy it after the safe fix.
;; It opens the workflow in yaml-mode (elpa-yaml-mode, or a stand-in of that name), starts
;; eglot as `M-x eglot' does, waits for the flymake diagnostics, checks the line and the
;; column of the nox/cache-missing finding (the server's UTF-16 column after `Tëst 🚀'),
;; shows the hover on it, runs `eglot-code-actions' as `M-x eglot-code-actions' does at the
;; nox/key-missing-hash finding (the prompt answered with its default, the preferred safe
;; fix), waits for the diagnostics of the edited buffer, saves it, copies it to $SAFE_COPY,
;; then applies the unsafe fix of nox/cache-missing the same way, saves again and shuts eglot
;; down.  Any failure: exit 1.

(require 'cl-lib)
(require 'subr-x)

(defun cachelint-test-fail (fmt &rest args)
  (message "emacs-eglot-test: FAILED: %s" (apply #'format fmt args))
  (kill-emacs 1))

(defun cachelint-test-idle ()
  "Run the idle timers, as Emacs does when the user stops typing.
A batch Emacs is never idle, and eglot sends `textDocument/didChange' (and flymake
starts its backends) on idle timers."
  (dolist (timer (copy-sequence timer-idle-list))
    (when (memq timer timer-idle-list)
      (timer-event-handler timer))))

(defun cachelint-test-wait (what pred &optional seconds)
  "Run the event loop (process output, timers, every half second the idle timers)
until PRED is true; fail after SECONDS."
  (let* ((start (float-time))
         (deadline (+ start (or seconds 30)))
         (idle (+ start 0.5)))
    (while (not (funcall pred))
      (when (> (float-time) deadline)
        (cachelint-test-fail "timed out waiting for %s" what))
      (when (> (float-time) idle)
        (cachelint-test-idle)
        (setq idle (+ (float-time) 0.5)))
      (accept-process-output nil 0.05))))

;; The snippet first (it is `with-eval-after-load', as in an init file), then eglot.
(let ((snippet (getenv "SNIPPET")))
  (unless (and snippet (file-readable-p snippet))
    (cachelint-test-fail "no SNIPPET file"))
  (load snippet nil t t))
(require 'eglot)
(unless (require 'yaml-mode nil t)
  ;; The mode the snippet names; without elpa-yaml-mode a stand-in of that name.
  (define-derived-mode yaml-mode text-mode "YAML")
  (message "emacs-eglot-test: yaml-mode is not installed: using a stand-in yaml-mode"))
(unless (assoc '(yaml-mode yaml-ts-mode) eglot-server-programs)
  (cachelint-test-fail "the snippet did not add (yaml-mode yaml-ts-mode) to eglot-server-programs"))

;; Only what the test needs on the terminal: eglot's own messages go to *Messages*.
(setq eglot-events-buffer-size 2000000)

(defvar cachelint-test-file (getenv "WORKFLOW"))
(find-file cachelint-test-file)
(unless (eq major-mode 'yaml-mode)
  ;; elpa-yaml-mode maps .yml in auto-mode-alist; the stand-in does not.
  (yaml-mode))

;; `M-x eglot': the server, the mode and the project guessed from the buffer.
(call-interactively #'eglot)
(defvar cachelint-test-server (eglot-current-server))
(unless cachelint-test-server
  (cachelint-test-fail "eglot did not connect"))
(message "emacs-eglot-test: connected to %s"
         (plist-get (eglot--server-info cachelint-test-server) :name))

(defun cachelint-test-diag (code)
  "The flymake diagnostic whose LSP code is CODE."
  (cl-find-if (lambda (d)
                (equal code (plist-get (alist-get 'eglot-lsp-diag (flymake-diagnostic-data d))
                                       :code)))
              (flymake-diagnostics)))

(cachelint-test-wait "the nox/key-missing-hash diagnostic"
                     (lambda () (cachelint-test-diag "nox/key-missing-hash")))
(let ((missing (cachelint-test-diag "nox/cache-missing")))
  (unless missing
    (cachelint-test-fail "no nox/cache-missing diagnostic in %S"
                         (mapcar #'flymake-diagnostic-text (flymake-diagnostics))))
  ;; `pipx' on line 9 after `Tëst 🚀': character column 30 in Emacs (🚀 is one character),
  ;; UTF-16 column 31 on the wire.
  (let* ((beg (flymake-diagnostic-beg missing))
         (line (line-number-at-pos beg))
         ;; Characters, not `current-column' (🚀 is two columns wide on the screen).
         (col (save-excursion (goto-char beg) (- beg (line-beginning-position))))
         (wire (plist-get (plist-get (plist-get (alist-get 'eglot-lsp-diag
                                                            (flymake-diagnostic-data missing))
                                                 :range)
                                      :start)
                          :character)))
    (unless (and (= line 9) (= col 30) (equal wire 31)
                 (equal (buffer-substring-no-properties beg (+ beg 4)) "pipx"))
      (cachelint-test-fail "nox/cache-missing at line %d column %d (UTF-16 %S), expected 9:30 (31)"
                           line col wire))
    (message "emacs-eglot-test: nox/cache-missing at line %d, column %d (UTF-16 %d)" line col wire)))

;; Hover on the finding through eglot's eldoc function (what eldoc shows at point): the
;; finding's message and the rule's page.  eglot 1.9 without markdown-mode asks for
;; `plaintext' hovers.
(let ((beg (flymake-diagnostic-beg (cachelint-test-diag "nox/cache-missing")))
      (info nil))
  (save-excursion
    (goto-char beg)
    (eglot-hover-eldoc-function (lambda (doc &rest _) (setq info (or doc 'empty)))))
  (cachelint-test-wait "the hover" (lambda () info) 10)
  (unless (and (stringp info)
               (string-match-p "does not cache its environments" info)
               (string-match-p "# nox/cache-missing" info))
    (cachelint-test-fail "the hover on nox/cache-missing shows %S" info))
  (message "emacs-eglot-test: hover: %s" (car (split-string info "\n"))))

;; `M-x eglot-code-actions' on a finding's region: eglot prompts with the preferred action
;; (if any) as the default; PICK, given the titles and the default, answers.
(defun cachelint-test-code-action (code pick)
  (let* ((d (cachelint-test-diag code))
         (last-nonmenu-event ?\r))   ; a key, not a mouse click: the prompt, not a popup menu
    (goto-char (flymake-diagnostic-beg d))
    (cl-letf (((symbol-function 'completing-read)
               (lambda (prompt collection &rest args)
                 (let* ((titles (mapcar #'car collection))
                        (answer (funcall pick titles (nth 4 args))))
                   (message "emacs-eglot-test: %s -> %s" prompt answer)
                   (message "emacs-eglot-test: actions offered: %S" titles)
                   answer))))
      (eglot-code-actions (flymake-diagnostic-beg d) (flymake-diagnostic-end d) nil t))
    (unless (buffer-modified-p)
      (cachelint-test-fail "the code action on %s did not change the buffer" code))))

;; 1. key-missing-hash: the default, which must be its safe fix.
(cachelint-test-code-action
 "nox/key-missing-hash"
 (lambda (titles default)
   (unless (and default (string-prefix-p "Fix: " default))
     (cachelint-test-fail "the default action is %S, not a safe fix, among %S" default titles))
   default))
;; The server lints the edited buffer (eglot sends incremental changes): the finding goes.
(cachelint-test-wait "the diagnostics of the edited buffer"
                     (lambda () (and (not (cachelint-test-diag "nox/key-missing-hash"))
                                     (cachelint-test-diag "nox/cache-missing"))))
(save-buffer)
;; For the shell script to compare with `cachelint check --fix'.
(copy-file cachelint-test-file (getenv "SAFE_COPY") t)

;; 2. cache-missing: its unsafe fix (no default: nothing is preferred), which inserts a step
;; and `--reuse-venv=yes' after `nox' on the line with `Tëst 🚀' (a UTF-16 position).
(cachelint-test-code-action
 "nox/cache-missing"
 (lambda (titles _default)
   (or (cl-find-if (lambda (title) (string-prefix-p "Fix (unsafe): " title)) titles)
       (cachelint-test-fail "no unsafe fix among %S" titles))))
(cachelint-test-wait "the diagnostics after the unsafe fix"
                     (lambda () (null (flymake-diagnostics))))
(save-buffer)

;; EGLOT_EVENTS=FILE: the JSON-RPC traffic so far, for a look at what eglot sent.
(when-let ((events (getenv "EGLOT_EVENTS")))
  (with-current-buffer (jsonrpc-events-buffer cachelint-test-server)
    (write-region nil nil events nil 'quiet)))

;; `M-x eglot-shutdown': the `shutdown' request must be answered (an error or no answer in
;; 10 s fails), then `exit' is sent.  jsonrpc.el deletes the process right after `exit'
;; (SIGKILL when it has not exited yet), so the exit status tells nothing about the server.
(let ((proc (jsonrpc--process cachelint-test-server)))
  (condition-case err
      (eglot-shutdown cachelint-test-server nil 10)
    (error (cachelint-test-fail "eglot-shutdown: %S" err)))
  (cachelint-test-wait "the server process to end"
                       (lambda () (not (process-live-p proc))) 10))
(message "emacs-eglot-test: the server answered shutdown")
(kill-emacs 0)
