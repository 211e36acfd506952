#!/bin/bash
# GPU workers: the Deep Learning Base AMI is expected to bring the NVIDIA driver, Docker and the
# NVIDIA Container Toolkit. Each is checked, so a wrong image or a CPU instance type fails the
# boot with its reason instead of failing every GPU run. What was found is written as JSON for
# the worker (format: agents/worker/runtimes/gpu-inventory.ts):
#   {"count":1,"driverVersion":"550.127.05","gpus":[{"model":"NVIDIA A10G","memoryMiB":23028}]}

# Prints the inventory JSON (quotes, backslashes and control characters dropped from names,
# which never have them) from `nvidia-smi --query-gpu=name,memory.total,driver_version
# --format=csv,noheader,nounits` lines on stdin.
gpu_inventory_json() {
  awk -F', *' '
    function quoted(s) { gsub(/["\\[:cntrl:]]/, "", s); return "\"" s "\"" }
    NF >= 3 { gpus = gpus (n++ ? "," : "") "{\"model\":" quoted($1) ",\"memoryMiB\":" ($2 + 0) "}"; driver = $3 }
    END { printf "{\"count\":%d,\"driverVersion\":%s,\"gpus\":[%s]}\n", n, quoted(driver), gpus }'
}

# Docker lists the runtimes it knows; --gpus needs the NVIDIA one.
docker_has_nvidia_runtime() {
  local runtimes
  runtimes=$(docker info --format '{{json .Runtimes}}') && [[ $runtimes == *'"nvidia"'* ]]
}

# check_gpu_host INVENTORY_FILE
check_gpu_host() {
  local inventory=$1 listing
  command -v nvidia-smi >/dev/null || {
    echo "benchtop: no nvidia-smi: this image has no NVIDIA driver (GpuWorkerImageId should be the Deep Learning Base AMI)" >&2
    return 1
  }
  listing=$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader,nounits) || {
    echo "benchtop: nvidia-smi failed: the NVIDIA driver is not working on this instance" >&2
    return 1
  }
  if [ -z "$listing" ]; then
    echo "benchtop: nvidia-smi sees no GPU (is GpuWorkerInstanceType a GPU instance type?)" >&2
    return 1
  fi
  # The toolkit may be installed but not registered with Docker: register it once, as its docs say.
  if ! docker_has_nvidia_runtime && command -v nvidia-ctk >/dev/null; then
    nvidia-ctk runtime configure --runtime=docker >&2 && systemctl restart docker
  fi
  docker_has_nvidia_runtime || {
    echo "benchtop: Docker has no nvidia runtime (NVIDIA Container Toolkit missing or not configured)" >&2
    return 1
  }
  mkdir -p "$(dirname "$inventory")"
  printf '%s\n' "$listing" | gpu_inventory_json >"$inventory.new" && chmod 644 "$inventory.new" &&
    mv "$inventory.new" "$inventory"
}
