{
  "targets": [
    {
      "target_name": "biomed_image",
      "sources": ["src/addon.c", "src/jpeg.c", "src/fastjpeg.c", "src/resize.c"],
      "cflags": ["-O3", "-std=gnu11", "-fno-math-errno", "-Wall"],
      "libraries": ["-ldl"],
      "xcode_settings": {"OTHER_CFLAGS": ["-O3", "-std=gnu11"]},
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
