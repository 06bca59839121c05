# Sourced by the benchmarks and some tests: start_nginx DIR [RATE] serves DIR/www (with
# file.bin, 8 MiB of random data) from nginx on 127.0.0.1 at RATE per connection (32k
# unless given; 0 for no limit), and sets nginx_pid and port once it answers.
start_nginx() {
  local dir=$1 rate=${2:-32k}
  mkdir -p "$dir/www" "$dir/tmp"
  head -c $((8 * 1024 * 1024)) /dev/urandom > "$dir/www/file.bin"
  port=$(( 20000 + RANDOM % 20000 ))
  cat > "$dir/nginx.conf" <<NGINX
daemon off;
master_process off;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
  server { listen 127.0.0.1:$port; root $dir/www; limit_rate $rate; }
}
NGINX
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" &
  nginx_pid=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null -r 0-0 "http://127.0.0.1:$port/file.bin" && return 0 || sleep 0.05
  done
  echo "nginx did not answer on port $port" >&2
  return 1
}
