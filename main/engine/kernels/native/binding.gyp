{
  "targets": [
    {
      "target_name": "biomed_gemm",
      "sources": ["src/addon.c", "src/addon-util.c", "src/addon-rows.c", "src/attention.c", "src/batched.c", "src/gemm.c", "src/im2col.c", "src/pool.c", "src/rowops.c", "src/gelu.c", "src/lsce.c", "src/dense.c"],
      "cflags": ["-O3", "-std=gnu11", "-pthread", "-fno-math-errno", "-Wall"],
      "ldflags": ["-pthread"],
      "xcode_settings": {"OTHER_CFLAGS": ["-O3", "-std=gnu11"]},
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
