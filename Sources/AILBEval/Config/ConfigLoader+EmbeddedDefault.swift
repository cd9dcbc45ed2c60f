extension ConfigLoader {
    /// The text of the shipped `config.yaml`, used when there is no config file.
    ///
    /// It must stay identical to the repository's `config.yaml` (a test checks it), so the tool runs
    /// out of the box from any directory.
    public static let embeddedDefaultYAML: String = #"""
        # ailb-eval configuration.
        #
        # As shipped, this file runs with nothing else installed: the three backends below are
        # `kind: mock`, simulated servers that ailb-eval serves itself on 127.0.0.1. They are shaped
        # like a typical home lab (two Macs running LM Studio, a Linux box running Ollama) and
        # answer mostly correctly, with per-backend drift, so the first run shows a realistic report.
        # To evaluate your own servers, replace them with entries like the commented examples below.
        #
        # Any string value may use ${VAR}, expanded from the environment (an unset variable is an
        # error); write $${ for a literal "${".

        backends:
          # Each backend needs a unique `name` ([A-Za-z0-9._-]) and a `model`:
          #   model:           the id its server knows; or a canonical name from `models:` (below),
          #                    asked for by the id mapped to this backend; or `auto`: the first model
          #                    GET {url}/models lists (or the first listed of preferred_models),
          #                    chosen when a run starts and recorded with it
          #   preferred_models: with model: auto, the models to pick, in order (canonical names or ids)
          #   kind:            openai (default: any OpenAI-compatible server) | mock | ailb
          #   url:             the OpenAI-compatible base URL, ending in /v1; or
          #   urls:            a list of replicas of the same model and quant, used round-robin
          #                    (required for openai and ailb; a mock without one is served in-process)
          #   family:          the model, for grouping in reports (default: model)
          #   quant:           the quantization: 4bit, 8bit, Q4_K_M, fp16, ...
          #   max_concurrency: requests in flight at once to this backend
          #   timeout:         seconds per request (default: defaults.timeout)
          #   api_key_env:     the NAME of an environment variable holding the API key
          #                    (the key itself never appears here, in the database or in reports)
          #   headers:         extra HTTP headers, e.g. {X-Team: eval}
          #   ca_file:         a PEM bundle of CA certificates that verifies an https backend
          #                    (a path relative to this file; it must exist)
          #   insecure_skip_verify: true accepts any certificate (default false); refused unless every
          #                    url is on this machine (localhost, 127.0.0.0/8, ::1)
          #   mock:            only for kind: mock: seed, drift and noise (probabilities 0..1 that an
          #                    answer differs in substance / only in form), latency_ms, jitter_ms,
          #                    error_rate (0..1) and error_status (400..599), and fault: a misbehaviour on
          #                    every request (status500, status502, status503, status429, status429Date,
          #                    timeout, invalidJSON, invalidUTF8, noChoices, badArguments, truncatedSSE,
          #                    cutMidEvent, noDone, keepAlive, hugeBody, dripBody, dripByte, resetMidBody)
          #   only for kind: ailb (an ai-lb load balancer; each of its backends is reported on its own,
          #   named by its alias, else host:port):
          #   target_backends: aliases or host:port, sent as X-Target-Backends (ai-lb ignores it in consensus mode)
          #   max_backends:    sent as X-Max-Backends (ai-lb's default: 3)
          #   execution_timeout: seconds, sent as X-Execution-Timeout (ai-lb's default: 60)
          #   members:         family, quant and model (the id it answers with: tells which member
          #                    won an ai-lb race) of its backends, by alias or host:port, for reports

          - name: mac-studio-8bit
            kind: mock
            model: qwen2.5-7b-instruct-mlx@8bit
            family: qwen2.5-7b-instruct
            quant: 8bit
            max_concurrency: 4
            mock: {seed: 1, drift: 0.03, noise: 0.02, latency_ms: 6, jitter_ms: 4}

          - name: macbook-4bit
            kind: mock
            model: qwen2.5-7b-instruct-mlx@4bit
            family: qwen2.5-7b-instruct
            quant: 4bit
            max_concurrency: 2
            mock: {seed: 2, drift: 0.15, noise: 0.08, latency_ms: 4, jitter_ms: 6}

          - name: gentoo-ollama
            kind: mock
            model: qwen2.5:7b-instruct
            family: qwen2.5-7b-instruct
            quant: Q4_K_M
            max_concurrency: 4
            mock: {seed: 3, drift: 0.06, noise: 0.05, latency_ms: 8, jitter_ms: 5}

          # LM Studio on a Mac (Developer tab, "Start Server"; default port 1234):
          # - name: mac-studio-8bit
          #   url: http://mac.local:1234/v1
          #   model: qwen2.5-7b-instruct-mlx@8bit
          #   family: qwen2.5-7b-instruct
          #   quant: 8bit
          #   max_concurrency: 4
          #   timeout: 120

          # Ollama (default port 11434; the model id is the tag you pulled):
          # - name: gentoo-ollama
          #   url: http://localhost:11434/v1
          #   model: qwen2.5:7b-instruct
          #   family: qwen2.5-7b-instruct
          #   quant: Q4_K_M

          # llama.cpp's llama-server (start it with --jinja so tool calls work; default port 8080):
          # - name: llama-server
          #   url: http://localhost:8080/v1
          #   model: qwen2.5-7b-instruct-q8_0.gguf
          #   family: qwen2.5-7b-instruct
          #   quant: Q8_0

          # vLLM behind an API key (started with --api-key; export VLLM_API_KEY=... first):
          # - name: vllm-fp16
          #   url: http://localhost:8000/v1
          #   model: Qwen/Qwen2.5-7B-Instruct
          #   family: qwen2.5-7b-instruct
          #   quant: fp16
          #   api_key_env: VLLM_API_KEY
          #   max_concurrency: 16

          # An ai-lb load balancer: each request is sent once with X-Execution-Mode (the run's mode),
          # and ai-lb fans it out to its own backends; each of their answers is stored as a backend of
          # its own. In consensus mode ai-lb's verdict is stored beside ailb-eval's, and every case
          # where the two differ is reported. `members` tells reports what its backends are.
          # - name: ai-lb
          #   kind: ailb
          #   url: http://localhost:8000/v1
          #   model: qwen2.5-7b-instruct
          #   target_backends: [m2, gentoo]
          #   max_backends: 3
          #   execution_timeout: 60
          #   members:
          #     m2: {family: qwen2.5-7b-instruct, quant: 8bit}
          #     gentoo: {family: qwen2.5-7b-instruct, quant: Q4_K_M}
          #     "192.168.1.30:8080": {quant: Q8_0}

        # Canonical model names mapped to the id each backend knows them by (ai-lb's MODEL_EQUIVALENTS):
        # a backend can then say `model: qwen2.5-7b-instruct`, and reports group those backends under
        # that name. A backend the map leaves out is asked for the canonical name itself.
        # models:
        #   qwen2.5-7b-instruct: {mac-studio-8bit: "qwen2.5-7b-instruct-mlx@8bit", gentoo-ollama: "qwen2.5:7b-instruct"}
        # preferred_models: [qwen2.5-7b-instruct]   # what model: auto picks first, for every backend without its own

        # Request and run defaults; command-line flags override them.
        defaults:
          mode: consensus     # consensus (responses plus a verdict) | all (responses only)
          temperature: 0
          max_tokens: 512
          seed: 42
          repeat_seed: fixed  # vary: above temperature 0, repeat r sends seed + r - 1 (independent samples)
          stream: false       # true measures time to first token (TTFT) over SSE
          repeat: 1           # times each case is asked (a case's own `repeat` wins)
          concurrency: 16     # requests in flight at once, over all backends
          timeout: 120        # seconds per request
          retries: 2          # retries after the first attempt, for connect errors, 429 and 5xx

        # How answers are compared (see CONSENSUS.md).
        consensus:
          threshold: 0.9      # text similarity (0..1) at or above which two texts agree
          profile: ailb       # ailb (the load balancer's own rule) | semantic; both are always stored

        storage:
          path: ailb-eval.sqlite

        reports:
          dir: reports
          reference: mac-studio-8bit   # the backend flips are measured against

        # Bars for `ailb-eval gate` (all 0..1; leave one out to not check it).
        gates:
          min_agreement: 0.6
          # min_accuracy: 0.7          # consensus correct, on cases with `expect`
          # max_spurious: 0.1          # disagreements that are only formatting noise
          # per_family: {qwen2.5-7b-instruct: 0.6}
          # per_quant: {4bit: 0.5}

        limits:
          max_response_bytes: 8388608  # larger bodies are cut off and recorded as too_large

        """#
}
